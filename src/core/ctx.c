/* Context: allocator hooks, error message, threads, hooks. */
#include "internal.h"
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

static void *std_malloc(void *ud, size_t n) {
  (void)ud;
  return malloc(n ? n : 1);
}
static void *std_realloc(void *ud, void *p, size_t n) {
  (void)ud;
  return realloc(p, n ? n : 1);
}
static void std_free(void *ud, void *p) {
  (void)ud;
  free(p);
}

limn_ctx *limn_ctx_create(const limn_allocator *alloc) {
  limn_allocator a = {std_malloc, std_realloc, std_free, NULL};
  if (alloc && alloc->malloc_fn && alloc->realloc_fn && alloc->free_fn)
    a = *alloc;
  else if (alloc)
    return NULL; /* a partial set of hooks is a programming error */
  limn_ctx *ctx = a.malloc_fn(a.ud, sizeof *ctx);
  if (!ctx)
    return NULL;
  memset(ctx, 0, sizeof *ctx);
  ctx->alloc = a;
  ctx->nthreads = 0;
  ctx->kernel = LIMN_KERNEL_AUTO;
  ctx->max_data = LIMN_DEFAULT_MAX_DATA;
  ctx->max_model = LIMN_DEFAULT_MAX_MODEL;
  return ctx;
}

void limn_ctx_free(limn_ctx *ctx) {
  if (!ctx)
    return;
  limn_allocator a = ctx->alloc;
  a.free_fn(a.ud, ctx);
}

const char *limn_ctx_errmsg(const limn_ctx *ctx) { return ctx ? ctx->errmsg : "no context"; }
void limn_ctx_clear_error(limn_ctx *ctx) {
  if (ctx)
    ctx->errmsg[0] = 0;
}

int limn_ctx_set_threads(limn_ctx *ctx, int n) {
  if (n < 0)
    return limn__err(ctx, LIMN_EINVAL, "thread count must be >= 0, got %d", n);
  ctx->nthreads = n;
  return LIMN_OK;
}
int limn_ctx_threads(const limn_ctx *ctx) { return ctx->nthreads; }

void limn_ctx_set_log(limn_ctx *ctx, limn_log_fn fn, void *ud) {
  ctx->log_fn = fn;
  ctx->log_ud = ud;
}
void limn_ctx_set_cancel(limn_ctx *ctx, limn_cancel_fn fn, void *ud) {
  ctx->cancel_fn = fn;
  ctx->cancel_ud = ud;
}
void limn_ctx_set_progress(limn_ctx *ctx, limn_progress_fn fn, void *ud) {
  ctx->progress_fn = fn;
  ctx->progress_ud = ud;
}

int limn_have_blas(void) {
#ifdef LIMN_HAVE_CBLAS
  return 1;
#else
  return 0;
#endif
}

int limn_have_openmp(void) {
#ifdef _OPENMP
  return 1;
#else
  return 0;
#endif
}

int limn_ctx_set_kernel(limn_ctx *ctx, limn_kernel k) {
  if (k < LIMN_KERNEL_AUTO || k > LIMN_KERNEL_REF)
    return limn__err(ctx, LIMN_EINVAL, "unknown kernel %d", (int)k);
  if (k == LIMN_KERNEL_BLAS && !limn_have_blas())
    return limn__err(ctx, LIMN_EUNSUPPORTED, "this liblimn was built without BLAS");
  ctx->kernel = k;
  return LIMN_OK;
}
limn_kernel limn_ctx_kernel(const limn_ctx *ctx) { return ctx->kernel; }

int limn__threads(const limn_ctx *ctx) {
#ifdef _OPENMP
  int n = ctx->nthreads > 0 ? ctx->nthreads : omp_get_max_threads();
  return n > 0 ? n : 1;
#else
  (void)ctx;
  return 1;
#endif
}

/* ---- allocation ---- */
int limn__mul_ok(size_t a, size_t b, size_t *out) {
  if (a && b > SIZE_MAX / a)
    return 0;
  *out = a * b;
  return 1;
}
void *limn__malloc(limn_ctx *ctx, size_t size) {
  void *p = ctx->alloc.malloc_fn(ctx->alloc.ud, size);
  if (!p)
    limn__err(ctx, LIMN_ENOMEM, "out of memory (%zu bytes)", size);
  return p;
}
void *limn__alloc_array(limn_ctx *ctx, size_t n, size_t size) {
  size_t total;
  if (!limn__mul_ok(n, size, &total)) {
    limn__err(ctx, LIMN_ENOMEM, "allocation of %zu x %zu bytes overflows", n, size);
    return NULL;
  }
  return limn__malloc(ctx, total);
}
void *limn__calloc(limn_ctx *ctx, size_t n, size_t size) {
  void *p = limn__alloc_array(ctx, n, size);
  if (p)
    memset(p, 0, n * size);
  return p;
}
void *limn__realloc(limn_ctx *ctx, void *p, size_t size) {
  void *q = ctx->alloc.realloc_fn(ctx->alloc.ud, p, size);
  if (!q)
    limn__err(ctx, LIMN_ENOMEM, "out of memory (%zu bytes)", size);
  return q;
}
void limn__free(limn_ctx *ctx, void *p) {
  if (p)
    ctx->alloc.free_fn(ctx->alloc.ud, p);
}
void limn_free(limn_ctx *ctx, void *p) { limn__free(ctx, p); }
char *limn__strdup(limn_ctx *ctx, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = limn__malloc(ctx, n);
  if (d)
    memcpy(d, s, n);
  return d;
}

/* ---- messages ---- */
int limn__err(limn_ctx *ctx, int status, const char *fmt, ...) {
  if (!ctx)
    return status;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(ctx->errmsg, sizeof ctx->errmsg, fmt, ap);
  va_end(ap);
  return status;
}
int limn__err_prefix(limn_ctx *ctx, int status, const char *fmt, ...) {
  char old[sizeof ctx->errmsg], pre[512];
  memcpy(old, ctx->errmsg, sizeof old);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pre, sizeof pre, fmt, ap);
  va_end(ap);
  snprintf(ctx->errmsg, sizeof ctx->errmsg, "%s: %s", pre, old);
  return status;
}
void limn__log(limn_ctx *ctx, limn_log_level lvl, const char *fmt, ...) {
  if (!ctx->log_fn)
    return;
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  ctx->log_fn(ctx->log_ud, lvl, msg);
}
int limn__canceled(limn_ctx *ctx) { return ctx->cancel_fn && ctx->cancel_fn(ctx->cancel_ud); }
void limn__progress(limn_ctx *ctx, const char *what, size_t done, size_t total) {
  if (ctx->progress_fn)
    ctx->progress_fn(ctx->progress_ud, what, done, total);
}

/* ---- buffers and files ---- */
int limn__buf_reserve(limn_ctx *ctx, limn__buf *b, size_t extra) {
  if (b->len + extra < b->len)
    return limn__err(ctx, LIMN_ENOMEM, "buffer size overflows");
  if (b->len + extra <= b->cap)
    return LIMN_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) {
    if (cap > SIZE_MAX / 2)
      return limn__err(ctx, LIMN_ENOMEM, "buffer size overflows");
    cap *= 2;
  }
  char *p = limn__realloc(ctx, b->data, cap);
  if (!p)
    return LIMN_ENOMEM;
  b->data = p;
  b->cap = cap;
  return LIMN_OK;
}
int limn__buf_put(limn_ctx *ctx, limn__buf *b, const void *p, size_t n) {
  LIMN_TRY(limn__buf_reserve(ctx, b, n));
  if (n)
    memcpy(b->data + b->len, p, n);
  b->len += n;
  return LIMN_OK;
}
void limn__buf_free(limn_ctx *ctx, limn__buf *b) {
  limn__free(ctx, b->data);
  memset(b, 0, sizeof *b);
}

void limn_ctx_set_input_limits(limn_ctx *ctx, size_t max_data_bytes, size_t max_model_bytes) {
  if (!ctx)
    return;
  if (max_data_bytes)
    ctx->max_data = max_data_bytes;
  if (max_model_bytes)
    ctx->max_model = max_model_bytes;
}

void limn__size_words(char *buf, size_t cap, size_t n) {
  if (n % ((size_t)1 << 30) == 0)
    snprintf(buf, cap, "%zu GiB", n >> 30);
  else if (n % ((size_t)1 << 20) == 0)
    snprintf(buf, cap, "%zu MiB", n >> 20);
  else if (n % ((size_t)1 << 10) == 0)
    snprintf(buf, cap, "%zu KiB", n >> 10);
  else
    snprintf(buf, cap, "%zu bytes", n);
}

/* Line and byte (from 1) of the byte that follows text[0..n), for a message: only
 * counted once a NUL is found, so reading a text file costs one memchr a block. */
void limn__text_position(const char *text, size_t n, size_t *line, size_t *col) {
  for (size_t i = 0; i < n; i++) {
    if (text[i] == '\n') {
      ++*line;
      *col = 1;
    } else {
      ++*col;
    }
  }
}

int limn__read_input(limn_ctx *ctx, const char *path, const limn__input *in, char **out, size_t *len) {
  *out = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return limn__err(ctx, LIMN_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t limit = in->model ? ctx->max_model : ctx->max_data;
  limn__buf b = {0};
  char chunk[65536];
  size_t got;
  int rc = LIMN_OK, first = 1;
  while (rc == LIMN_OK && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
    const char *nul = in->text ? memchr(chunk, 0, got) : NULL;
    if (first && in->head && !in->head(chunk, got)) {
      rc = limn__err(ctx, LIMN_EFORMAT, "%s: not %s (its first bytes do not match)", path, in->what);
    } else if (nul) {
      size_t line = 1, col = 1; /* the earlier blocks are in b */
      limn__text_position(b.data ? b.data : "", b.len, &line, &col);
      limn__text_position(chunk, (size_t)(nul - chunk), &line, &col);
      rc = limn__err(ctx, LIMN_EPARSE, "%s line %zu, byte %zu: NUL byte (a binary file, not %s)", path, line,
                     col, in->what);
    } else if (got > limit - b.len) {
      char w[48];
      limn__size_words(w, sizeof w, limit);
      rc = limn__err(ctx, LIMN_ETOOBIG, "%s: larger than the limit of %s for %s (%s raises it)", path, w,
                     in->what, in->model ? "LIMN_MAX_MODEL" : "LIMN_MAX_DATA");
    } else {
      rc = limn__buf_put(ctx, &b, chunk, got);
    }
    first = 0;
  }
  if (rc == LIMN_OK && ferror(f))
    rc = limn__err(ctx, LIMN_EIO, "%s: read error: %s", path, strerror(errno));
  fclose(f);
  if (rc == LIMN_OK)
    rc = limn__buf_put(ctx, &b, "", 1);
  if (rc != LIMN_OK) {
    limn__buf_free(ctx, &b);
    return rc;
  }
  *out = b.data;
  *len = b.len - 1;
  return LIMN_OK;
}

int limn__read_file(limn_ctx *ctx, const char *path, char **out, size_t *len) {
  const limn__input in = {"an input file", 1, 0, NULL};
  return limn__read_input(ctx, path, &in, out, len);
}

int limn__write_file_atomic(limn_ctx *ctx, const char *path, const void *data, size_t len) {
  char tmp[4096];
  if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp)
    return limn__err(ctx, LIMN_EINVAL, "%s: path too long", path);
  FILE *f = fopen(tmp, "wb");
  if (!f)
    return limn__err(ctx, LIMN_EIO, "%s: cannot create: %s", path, strerror(errno));
  int ok = fwrite(data, 1, len, f) == len;
  ok = (fflush(f) == 0) && ok;
  ok = (fclose(f) == 0) && ok;
  if (!ok || rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return limn__err(ctx, LIMN_EIO, "%s: cannot write: %s", path, strerror(e));
  }
  return LIMN_OK;
}

int limn__cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

uint64_t limn__fnv1a64(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* Non-finite values as JSON-ish words; 0 when v is finite. */
static int nonfinite(char *buf, size_t cap, double v) {
  if (isfinite(v))
    return 0;
  snprintf(buf, cap, "%s", isnan(v) ? "NaN" : (v > 0 ? "Infinity" : "-Infinity"));
  return 1;
}

#ifdef LIMN_HAVE_DCONV
int limn__shortest_digits(double v, int single, char *digits, int cap, int *len, int *point); /* dtoa.cc */
#endif

/* The decimal 0.d1..dn x 10^point (d: the shortest digits, no trailing zeros) as printf
 * spells it with %.ng: fixed when -4 <= exponent < n, else d1.d2..dne+XX. */
static size_t spell_g(char *buf, size_t cap, int neg, const char *d, int n, int point) {
  char tmp[48], *t = cap >= 32 ? buf : tmp; /* at most 25 bytes: straight into a buffer that holds them */
  size_t k = 0;
  int x = point - 1;
  if (neg)
    t[k++] = '-';
  if (x >= -4 && x < n) {
    if (point <= 0) {
      t[k++] = '0', t[k++] = '.';
      for (int i = 0; i < -point; i++)
        t[k++] = '0';
      for (int i = 0; i < n; i++)
        t[k++] = d[i];
    } else {
      for (int i = 0; i < n; i++) {
        if (i == point)
          t[k++] = '.';
        t[k++] = d[i];
      }
    }
  } else {
    t[k++] = d[0];
    if (n > 1)
      t[k++] = '.';
    for (int i = 1; i < n; i++)
      t[k++] = d[i];
    t[k++] = 'e', t[k++] = x < 0 ? '-' : '+';
    int a = x < 0 ? -x : x;
    if (a >= 100)
      t[k++] = (char)('0' + a / 100);
    t[k++] = (char)('0' + a / 10 % 10), t[k++] = (char)('0' + a % 10);
  }
  if (!cap)
    return 0;
  size_t m = k < cap ? k : cap - 1; /* as snprintf would cut it */
  if (t != buf)
    memcpy(buf, t, m);
  buf[m] = '\0';
  return m;
}

/* A power of two (or 0): its rounding interval is asymmetric, and the search below
 * treats it one precision at a time. */
static int power_of_two(double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  return (b & ((1ull << 52) - 1)) == 0 || v == 0;
}

/* The fast path: the length written when it wrote v (finite, not 0, not a power of
 * two), else 0: a double's digits by shortest.c (Ryu), a float's by double-conversion
 * when built with it. */
static size_t shortest(char *buf, size_t cap, double v, int single) {
  if (power_of_two(v))
    return 0;
  char d[32];
  int n = 0, point = 0;
  if (!single && limn__shortest_digits_ryu(fabs(v), d, &n, &point))
    return spell_g(buf, cap, v < 0, d, n, point);
#ifdef LIMN_HAVE_DCONV
  if (limn__shortest_digits(fabs(v), single, d, (int)sizeof d, &n, &point) && n <= 17)
    return spell_g(buf, cap, v < 0, d, n, point);
#endif
  return 0;
}

size_t limn__format_double_len(char *buf, double v) {
  size_t k = isfinite(v) ? shortest(buf, 32, v, 0) : 0;
  if (k)
    return k;
  limn_format_double(buf, 32, v);
  return strlen(buf);
}

void limn_format_float(char *buf, size_t cap, float v) {
  if (nonfinite(buf, cap, v))
    return;
  if (shortest(buf, cap, v, 1))
    return;
  limn__format_float_search(buf, cap, v);
}

void limn__format_float_search(char *buf, size_t cap, float v) {
  for (int p = 1; p <= 9; p++) {
    snprintf(buf, cap, "%.*g", p, (double)v);
    if (strtof(buf, NULL) == v)
      return;
  }
}

static int reads_back(char *buf, size_t cap, int p, double v) {
  snprintf(buf, cap, "%.*g", p, v);
  return strtod(buf, NULL) == v;
}

/* Unless v is a power of two (or 0), its rounding interval is symmetric, so once p
 * digits read back every longer rounding does too (it is no farther from v): a
 * bisection finds the shortest. A power of two is searched one precision at a time. */
void limn_format_double(char *buf, size_t cap, double v) {
  if (nonfinite(buf, cap, v))
    return;
  if (shortest(buf, cap, v, 0))
    return;
  limn__format_double_search(buf, cap, v);
}

void limn__format_double_search(char *buf, size_t cap, double v) {
  int e;
  double m = frexp(v, &e);
  if (v == 0 || fabs(m) == 0.5) {
    for (int p = 1; p <= 17; p++)
      if (reads_back(buf, cap, p, v))
        return;
    return;
  }
  int lo = 1, hi = 17; /* 17 digits always read back */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    if (reads_back(buf, cap, mid, v))
      hi = mid;
    else
      lo = mid + 1;
  }
  reads_back(buf, cap, lo, v);
}

void limn__json_string(FILE *f, const char *s) { limn_write_json_string(limn_sink_file(f), s); }

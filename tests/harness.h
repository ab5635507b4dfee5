/* A small test harness: checks that print both sides, a closing "N passed, N failed"
 * line that ctest and CI read, and fixture helpers. Header-only; one per test file. */
#ifndef LIMN_TEST_HARNESS_H
#define LIMN_TEST_HARNESS_H

#include "limn.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef LIMN_SOURCE_DIR
#define LIMN_SOURCE_DIR "."
#endif

static int t_pass, t_fail;
static const char *t_name = "";

#define CHECK(cond)                                                                                          \
  do {                                                                                                       \
    if (cond) {                                                                                              \
      t_pass++;                                                                                              \
    } else {                                                                                                 \
      t_fail++;                                                                                              \
      fprintf(stderr, "FAIL %s (%s:%d): %s\n", t_name, __FILE__, __LINE__, #cond);                           \
    }                                                                                                        \
  } while (0)

#define CHECK_EQ(a, b)                                                                                       \
  do {                                                                                                       \
    long long a_ = (long long)(a), b_ = (long long)(b);                                                      \
    if (a_ == b_) {                                                                                          \
      t_pass++;                                                                                              \
    } else {                                                                                                 \
      t_fail++;                                                                                              \
      fprintf(stderr, "FAIL %s (%s:%d): %s == %s: %lld vs %lld\n", t_name, __FILE__, __LINE__, #a, #b, a_,   \
              b_);                                                                                           \
    }                                                                                                        \
  } while (0)

/* A call that must fail with `code` and a message containing `needle`. */
#define CHECK_ERR(ctx, expr, code, needle)                                                                   \
  do {                                                                                                       \
    int rc_ = (expr);                                                                                        \
    const char *m_ = limn_ctx_errmsg(ctx);                                                                   \
    if (rc_ == (code) && strstr(m_, (needle))) {                                                             \
      t_pass++;                                                                                              \
    } else {                                                                                                 \
      t_fail++;                                                                                              \
      fprintf(stderr, "FAIL %s (%s:%d): %s\n  want %s with \"%s\"\n  got  %s: \"%s\"\n", t_name, __FILE__,   \
              __LINE__, #expr, limn_status_name(code), needle, limn_status_name(rc_), m_);                   \
    }                                                                                                        \
  } while (0)

#define CHECK_OK(ctx, expr)                                                                                  \
  do {                                                                                                       \
    int rc_ = (expr);                                                                                        \
    if (rc_ == LIMN_OK) {                                                                                    \
      t_pass++;                                                                                              \
    } else {                                                                                                 \
      t_fail++;                                                                                              \
      fprintf(stderr, "FAIL %s (%s:%d): %s -> %s: %s\n", t_name, __FILE__, __LINE__, #expr,                  \
              limn_status_name(rc_), limn_ctx_errmsg(ctx));                                                  \
    }                                                                                                        \
  } while (0)

/* |got - want| <= atol + rtol |want| everywhere; prints the worst index. */
static inline int check_close_(const char *what, const double *got, const double *want, size_t n, double atol,
                               double rtol, int line) {
  size_t worst = 0;
  double wd = -1.0;
  int ok = 1;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(got[i] - want[i]);
    double lim = atol + rtol * fabs(want[i]);
    if (!(d <= lim))
      ok = 0;
    if (!(d <= wd) || isnan(d)) {
      wd = d;
      worst = i;
    }
  }
  if (ok) {
    t_pass++;
    return 1;
  }
  t_fail++;
  fprintf(stderr, "FAIL %s (line %d): %s: worst index %zu: got %.17g want %.17g (diff %.3g)\n", t_name, line,
          what, worst, got[worst], want[worst], wd);
  return 0;
}
#define CHECK_CLOSE(what, got, want, n, atol, rtol) check_close_(what, got, want, n, atol, rtol, __LINE__)

static inline void test_begin(const char *name) { t_name = name; }

static inline int test_end(void) {
  printf("%d passed, %d failed\n", t_pass, t_fail);
  return t_fail ? 1 : 0;
}

/* A sink into a growable NUL-terminated buffer (free data); `fail_after` > 0 refuses
 * that call and later ones. mem_sink clears the buffer. */
typedef struct membuf {
  char *data;
  size_t len, cap, calls, fail_after;
} membuf;

static inline int mem_write(void *ud, const char *p, size_t n) {
  membuf *b = ud;
  b->calls++;
  if (b->fail_after && b->calls >= b->fail_after)
    return -1;
  if (b->len + n + 1 > b->cap) {
    size_t cap = 2 * (b->len + n + 1);
    char *d = realloc(b->data, cap);
    if (!d)
      return -1;
    b->data = d, b->cap = cap;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
  return 0;
}

static inline limn_sink mem_sink(membuf *b) {
  memset(b, 0, sizeof *b);
  limn_sink s = {mem_write, b};
  return s;
}

/* Path under the source tree. */
static inline const char *src_path(const char *rel) {
  static char buf[8][1024];
  static int k;
  k = (k + 1) % 8;
  snprintf(buf[k], sizeof buf[k], "%s/%s", LIMN_SOURCE_DIR, rel);
  return buf[k];
}

/* A schema of d numeric columns, named names[j] (or x0, x1, ... when names is NULL),
 * and a regression target "y". */
static inline limn_schema *regression_schema(limn_ctx *ctx, const char *const *names, size_t d) {
  limn_schema *s = NULL;
  limn_schema_create(ctx, &s);
  for (size_t j = 0; s && j < d; j++) {
    char nm[24];
    snprintf(nm, sizeof nm, "x%zu", j);
    limn_schema_add_numeric(ctx, s, names ? names[j] : nm);
  }
  if (s)
    limn_schema_set_target(ctx, s, "y", LIMN_TASK_REGRESSION, NULL, 0);
  return s;
}

/* Read vector `name` from a fixture text file ("name n\nv1 v2 ...\n" blocks). Returns a
 * malloc'ed array and its length, or NULL. */
static inline double *read_vec(const char *path, const char *name, size_t *n) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return NULL;
  }
  char key[256];
  size_t len;
  double *v = NULL;
  while (fscanf(f, "%255s %zu", key, &len) == 2) {
    double *buf = malloc((len ? len : 1) * sizeof *buf);
    for (size_t i = 0; i < len && buf; i++)
      if (fscanf(f, "%lf", &buf[i]) != 1) {
        free(buf);
        buf = NULL;
      }
    if (!buf)
      break;
    if (!strcmp(key, name)) {
      v = buf;
      *n = len;
      break;
    }
    free(buf);
  }
  fclose(f);
  if (!v)
    fprintf(stderr, "no vector '%s' in %s\n", name, path);
  return v;
}

#endif

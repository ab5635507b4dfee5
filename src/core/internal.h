/* Internal helpers shared across liblimn's files (names limn__*). */
#ifndef LIMN_INTERNAL_H
#define LIMN_INTERNAL_H

#include "limn.h"
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

struct limn_ctx {
  limn_allocator alloc;
  char errmsg[1024];
  int nthreads;
  limn_kernel kernel;
  limn_log_fn log_fn;
  void *log_ud;
  limn_cancel_fn cancel_fn;
  void *cancel_ud;
  limn_progress_fn progress_fn;
  void *progress_ud;
  size_t max_data, max_model; /* limn_ctx_set_input_limits */
};

/* Allocation through the context's hooks. Sizes are checked for overflow:
 * limn__alloc_array returns NULL (and sets ENOMEM text) on overflow or failure. */
void *limn__malloc(limn_ctx *ctx, size_t size);
void *limn__calloc(limn_ctx *ctx, size_t n, size_t size);
void *limn__alloc_array(limn_ctx *ctx, size_t n, size_t size);
void *limn__realloc(limn_ctx *ctx, void *p, size_t size);
void limn__free(limn_ctx *ctx, void *p);
char *limn__strdup(limn_ctx *ctx, const char *s);
/* a * b into *out; 0 on overflow. */
int limn__mul_ok(size_t a, size_t b, size_t *out);

/* Set the context's message (printf-style) and return `status`. */
int limn__err(limn_ctx *ctx, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Prefix the current message: "<prefix>: <old message>". Returns status. */
int limn__err_prefix(limn_ctx *ctx, int status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void limn__log(limn_ctx *ctx, limn_log_level lvl, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* 1 when the cancel hook asks to stop. */
int limn__canceled(limn_ctx *ctx);
void limn__progress(limn_ctx *ctx, const char *what, size_t done, size_t total);
/* Threads to use for a parallel region (>= 1). */
int limn__threads(const limn_ctx *ctx);

/* Run fn(arg, i, scratch) for i in [0, n) on the context's threads. Each thread gets
 * its own scratch of scratch_bytes (allocated once, before the loop: the allocator
 * hooks are never called from worker threads). Items must be independent, so the
 * results never depend on the thread count. Returns LIMN_ENOMEM, or 1 when any fn
 * returned non-zero, else 0. */
typedef int (*limn__item_fn)(void *arg, size_t i, void *scratch);
int limn__parallel_for(limn_ctx *ctx, size_t n, size_t scratch_bytes, limn__item_fn fn, void *arg);
/* limn__parallel_for with the caller's scratch: limn__parallel_scratch(ctx, n, b)
 * bytes from limn__alloc_array, for loops run many times (a fresh large allocation is
 * fresh pages, faulted in on every call). */
size_t limn__parallel_scratch(const limn_ctx *ctx, size_t n, size_t scratch_bytes);
int limn__parallel_for_in(limn_ctx *ctx, size_t n, size_t scratch_bytes, unsigned char *scratch,
                          limn__item_fn fn, void *arg);

/* n-point Gauss-Legendre nodes x (ascending) and weights w on [-1, 1] (explain/quadrature.c). */
void limn__gauss_legendre(size_t n, double *x, double *w);

/* Forward a non-OK status. */
#define LIMN_TRY(expr)                                                                                       \
  do {                                                                                                       \
    int limn__rc_ = (expr);                                                                                  \
    if (limn__rc_ != LIMN_OK)                                                                                \
      return limn__rc_;                                                                                      \
  } while (0)
/* Set the message and status variable `rc`, jump to `fail`. */
#define LIMN_FAIL_IF(cond, ctx, code, ...)                                                                   \
  do {                                                                                                       \
    if (cond) {                                                                                              \
      rc = limn__err((ctx), (code), __VA_ARGS__);                                                            \
      goto fail;                                                                                             \
    }                                                                                                        \
  } while (0)
/* Run expr into rc, jump to `fail` on error. */
#define LIMN_CHECK(expr)                                                                                     \
  do {                                                                                                       \
    rc = (expr);                                                                                             \
    if (rc != LIMN_OK)                                                                                       \
      goto fail;                                                                                             \
  } while (0)

/* Growable byte buffer (for writers and parsers). */
typedef struct limn__buf {
  char *data;
  size_t len, cap;
} limn__buf;
int limn__buf_reserve(limn_ctx *ctx, limn__buf *b, size_t extra);
int limn__buf_put(limn_ctx *ctx, limn__buf *b, const void *p, size_t n);
void limn__buf_free(limn_ctx *ctx, limn__buf *b);

/* Read a whole file into memory (NUL-terminated, not counted in *len), at most the
 * context's model limit. */
int limn__read_file(limn_ctx *ctx, const char *path, char **out, size_t *len);
/* What a reader accepts, checked while the file is read so that a hostile stream
 * (/dev/zero, /dev/urandom, `yes |`) fails within the first block or at the limit:
 * `what` names the kind ("a data file"), `model` picks the model limit over the data
 * limit, `text` refuses NUL bytes (naming line and byte), and `head`, if given, must
 * accept the first block (up to 64 KiB, or the whole file if shorter). */
typedef struct limn__input {
  const char *what;
  int model, text;
  int (*head)(const void *buf, size_t len);
} limn__input;
int limn__read_input(limn_ctx *ctx, const char *path, const limn__input *in, char **out, size_t *len);
/* limn_format_double and _float of a finite v by printf and strtod alone (the shortest
 * %.Ng that reads back): what the library does without double-conversion, and the
 * reference its fast path is tested against. */
void limn__format_double_search(char *buf, size_t cap, double v);
/* The shortest digits d1..dn of v > 0 (finite, not 0; no trailing zeros) with
 * v = 0.d1..dn x 10^point, the closest of that length (shortest.c, Ryu); 0 where this
 * build has no 128-bit product. */
int limn__shortest_digits_ryu(double v, char *digits, int *len, int *point);
/* limn_format_double into buf (at least 32 bytes); returns the length. */
size_t limn__format_double_len(char *buf, double v);
void limn__format_float_search(char *buf, size_t cap, float v);
/* Advance *line and *col (1-based) over text[0..n): where the byte after it stands. */
void limn__text_position(const char *text, size_t n, size_t *line, size_t *col);
/* "512 MiB" for a limit of n bytes (GiB, MiB, KiB when whole, else bytes). */
void limn__size_words(char *buf, size_t cap, size_t n);
/* Write `len` bytes to `path` through "<path>.tmp.<pid>" and rename. */
int limn__write_file_atomic(limn_ctx *ctx, const char *path, const void *data, size_t len);

/* qsort comparator for doubles (ascending). */
int limn__cmp_double(const void *a, const void *b);

/* The index of name in names[0..n), or -1 (NULL name: -1): what the _parse functions of
 * the enums share. */
long limn__name_index(const char *name, const char *const *names, size_t n);

/* FNV-1a 64. */
uint64_t limn__fnv1a64(const void *data, size_t len);

/* JSON string with escapes, quotes included. */
void limn__json_string(FILE *f, const char *s);

/* The RNG's steps inline (the public limn_rng_* call these): xoshiro256**. */
static inline uint64_t limn__rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
static inline uint64_t limn__rng_next(limn_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = limn__rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = limn__rotl(s[3], 45);
  return result;
}
/* Uniform in [0, 1) with 53 random bits. */
static inline double limn__rng_uniform(limn_rng *r) { return (double)(limn__rng_next(r) >> 11) * 0x1.0p-53; }
uint64_t limn__rng_below_rest(limn_rng *r, uint32_t n32, uint64_t m);
uint64_t limn__rng_below_big(limn_rng *r, uint64_t n);
/* Uniform in [0, n), unbiased (Lemire 2019 below 2^32; the rare rejections out of line). */
static inline uint64_t limn__rng_below(limn_rng *r, uint64_t n) {
  if (n > UINT32_MAX)
    return limn__rng_below_big(r, n);
  uint32_t n32 = (uint32_t)n;
  uint64_t m = (limn__rng_next(r) >> 32) * n32;
  return (uint32_t)m >= n32 ? m >> 32 : limn__rng_below_rest(r, n32, m);
}

/* u[0..n) uniform in [0, 1) (52 random bits) from eight xoshiro256** lanes seeded
 * from one step of r, interleaved (lane l gives u[8q + l]): vectorised, a fixed
 * function of r's state whatever the machine. */
void limn__rng_uniforms(limn_rng *r, double *u, size_t n);
/* The same lanes, two uniforms of 32 random bits from each output: u[q] from its top
 * half, v[q] from its bottom half (for draws that need many uniforms but not 52 bits:
 * half the generator's work). */
void limn__rng_uniform_pairs(limn_rng *r, double *u, double *v, size_t n);

/* LIMN_CLONES on a function: compiled twice, plain x86-64 and AVX2, the one the CPU
 * supports chosen at load time (the binary still runs on any x86-64). Only for
 * elementwise code and sums in a fixed order: without FMA contraction (ISO C mode)
 * every clone gives the same bits. Off under the sanitizers and other compilers. */
/* LIMN_CLONES_WIDE: an AVX-512 clone too, for the ONNX nodes' elementwise loops (twice
 * the lanes). Not everywhere: with AVX-512 (whose ISA includes FMA) GCC 12 turns complex
 * products into vfmaddsub despite ISO C's -ffp-contract=off (the FFT's stages), and the
 * bits would then depend on the CPU. tests/cli/no_fma.sh checks the library for fused
 * multiply-adds outside the one function that asks for them (knn.c tile_mask). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define LIMN_CLONES __attribute__((target_clones("avx2", "default")))
#define LIMN_CLONES_WIDE __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define LIMN_CLONES
#define LIMN_CLONES_WIDE
#endif

#endif

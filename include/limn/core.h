/* limn/core.h: context, status codes, allocator hooks, RNG, version.
 *
 * Every call that can fail returns an int status: 0 (LIMN_OK) or a negative code
 * from LIMN_STATUS_MAP. The human-readable detail of the last failure is kept on the
 * context and read with limn_ctx_errmsg(). The library never prints, exits or aborts
 * on bad input.
 */
#ifndef LIMN_CORE_H
#define LIMN_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* LIMN_API marks the library's exported functions: the shared library is built with
 * hidden visibility, so only what the headers declare with it is exported. */
#ifndef LIMN_API
#if defined(__GNUC__) || defined(__clang__)
#define LIMN_API __attribute__((visibility("default")))
#else
#define LIMN_API
#endif
#endif

#define LIMN_VERSION_MAJOR 0
#define LIMN_VERSION_MINOR 1
#define LIMN_VERSION_PATCH 0
#define LIMN_VERSION_STRING "0.1.0"
/* One integer that grows with every release: major*10000 + minor*100 + patch. */
#define LIMN_VERSION_NUMBER (LIMN_VERSION_MAJOR * 10000 + LIMN_VERSION_MINOR * 100 + LIMN_VERSION_PATCH)

/* Status codes. Values, once published, never change. */
#define LIMN_STATUS_MAP(X)                                                                                   \
  X(OK, 0, "success")                                                                                        \
  X(EINVAL, -1, "invalid argument")                                                                          \
  X(ENOMEM, -2, "out of memory")                                                                             \
  X(EIO, -3, "input/output error")                                                                           \
  X(EPARSE, -4, "malformed input")                                                                           \
  X(EFORMAT, -5, "unsupported or corrupt file format")                                                       \
  X(ENONFINITE, -6, "NaN or infinite value")                                                                 \
  X(ESHAPE, -7, "shape mismatch")                                                                            \
  X(EUNSUPPORTED, -8, "operation not supported")                                                             \
  X(ECANCELED, -9, "canceled")                                                                               \
  X(ENOTFOUND, -10, "not found")                                                                             \
  X(ECALLBACK, -11, "user callback failed")                                                                  \
  X(ETOOBIG, -12, "input exceeds a size limit")

enum limn_status {
#define LIMN__ENUM(name, val, str) LIMN_##name = (val),
  LIMN_STATUS_MAP(LIMN__ENUM)
#undef LIMN__ENUM
};

/* "LIMN_EPARSE" for LIMN_EPARSE; "LIMN_UNKNOWN" for a value not in the table. */
LIMN_API const char *limn_status_name(int status);
/* "malformed input" for LIMN_EPARSE; "unknown status" for a value not in the table. */
LIMN_API const char *limn_status_str(int status);
/* The library's version string at run time (may differ from LIMN_VERSION_STRING
 * when a program is linked against another build). */
LIMN_API const char *limn_version(void);

/* Allocator hooks. All three must be set, or pass NULL to limn_ctx_create for the
 * C library's malloc/realloc/free. `free` must accept NULL. */
typedef struct limn_allocator {
  void *(*malloc_fn)(void *ud, size_t size);
  void *(*realloc_fn)(void *ud, void *ptr, size_t size);
  void (*free_fn)(void *ud, void *ptr);
  void *ud;
} limn_allocator;

typedef enum limn_log_level { LIMN_LOG_DEBUG = 0, LIMN_LOG_INFO = 1, LIMN_LOG_WARN = 2 } limn_log_level;

/* Log callback: `msg` is valid only during the call. */
typedef void (*limn_log_fn)(void *ud, limn_log_level level, const char *msg);
/* Cancel hook, polled between units of long work; return non-zero to stop with
 * LIMN_ECANCELED. */
typedef int (*limn_cancel_fn)(void *ud);
/* Progress hook for long work: `done` of `total` units (epochs, rows, ...). */
typedef void (*limn_progress_fn)(void *ud, const char *what, size_t done, size_t total);

/* Which matrix-product kernel the library uses. AUTO: BLAS (when built with it) for
 * training, the portable kernel for predict and vjp, whose result for a row never
 * depends on the other rows of the batch. BLAS forced for predict/vjp is faster
 * but OpenBLAS's result for a row can change in the last bits with the row's place
 * in the block. REF is the naive reference (slow; tests). */
typedef enum limn_kernel {
  LIMN_KERNEL_AUTO = 0,
  LIMN_KERNEL_BLAS = 1,
  LIMN_KERNEL_PORTABLE = 2,
  LIMN_KERNEL_REF = 3
} limn_kernel;

typedef struct limn_ctx limn_ctx;

/* Create a context. `alloc` is copied; NULL means malloc/realloc/free.
 * Returns NULL only when the first allocation fails. Free with limn_ctx_free. */
LIMN_API limn_ctx *limn_ctx_create(const limn_allocator *alloc);
/* Free a context; NULL is a no-op. Objects created with it must be freed first. */
LIMN_API void limn_ctx_free(limn_ctx *ctx);
/* Free a buffer the library handed out with this context's allocator (e.g. the bytes
 * of limn_model_save_mem). NULL is a no-op. */
LIMN_API void limn_free(limn_ctx *ctx, void *p);
/* The message of the last failure on this context ("" when none). Valid until the
 * next call that uses the context. */
LIMN_API const char *limn_ctx_errmsg(const limn_ctx *ctx);
/* Forget the last failure message. */
LIMN_API void limn_ctx_clear_error(limn_ctx *ctx);
/* Threads for parallel work: 0 = OpenMP's default, 1 = serial. Results never
 * depend on this number. Returns LIMN_EINVAL for a negative value. */
LIMN_API int limn_ctx_set_threads(limn_ctx *ctx, int nthreads);
LIMN_API int limn_ctx_threads(const limn_ctx *ctx);
/* sizeof the public struct of that name ("limn_grad_opts", "limn_lime_opts", "limn_shap_opts",
 * "limn_explanation",
 * "limn_model_callbacks", "limn_sink", "limn_render_row", "limn_render_opts",
 * "limn_trust_opts", "limn_tsne_opts", "limn_lime_image_opts", ...), 0 for another name: bindings that mirror
 * a struct check their layout against it. */
LIMN_API size_t limn_version_sizeof(const char *name);
/* Default input limits (see limn_ctx_set_input_limits): 512 MiB of data, 2 GiB of model. */
#define LIMN_DEFAULT_MAX_DATA ((size_t)512 << 20)
#define LIMN_DEFAULT_MAX_MODEL ((size_t)2 << 30)
/* The largest file the library reads whole, in bytes: data files (CSV, ARFF, map
 * files, descriptions) and model files (limn, XGBoost JSON, ONNX). A larger file, or
 * a stream such as /dev/zero that never ends, fails with LIMN_ETOOBIG once the limit
 * is passed, so a hostile input costs bounded memory. 0 keeps the current value. */
LIMN_API void limn_ctx_set_input_limits(limn_ctx *ctx, size_t max_data_bytes, size_t max_model_bytes);
/* Log, cancel and progress hooks; pass NULL to remove. `ud` is borrowed. */
LIMN_API void limn_ctx_set_log(limn_ctx *ctx, limn_log_fn fn, void *ud);
LIMN_API void limn_ctx_set_cancel(limn_ctx *ctx, limn_cancel_fn fn, void *ud);
LIMN_API void limn_ctx_set_progress(limn_ctx *ctx, limn_progress_fn fn, void *ud);
/* Choose the matrix-product kernel. LIMN_EUNSUPPORTED for BLAS when the library
 * was built without it. */
LIMN_API int limn_ctx_set_kernel(limn_ctx *ctx, limn_kernel kernel);
LIMN_API limn_kernel limn_ctx_kernel(const limn_ctx *ctx);
/* 1 when the library was built with a CBLAS, else 0. */
LIMN_API int limn_have_blas(void);
/* 1 when the library was built with OpenMP (threads), else 0. */
LIMN_API int limn_have_openmp(void);

/* Deterministic random numbers.
 *
 * A generator is xoshiro256** (Blackman & Vigna 2018) whose 256-bit state is
 * filled by splitmix64 from (seed, stream): with h the first splitmix64 output of
 * the sequence started at `stream`, state words 0..3 are the first four outputs of
 * the sequence started at seed ^ h. Explainers derive
 * one stream per row (stream = row index) so a row's numbers never depend on the
 * thread count, batch size or the order rows are processed in. The struct is a
 * plain value: copy it, keep it on the stack. */
typedef struct limn_rng {
  uint64_t s[4];
  double spare; /* second normal from the last Box-Muller pair */
  int has_spare;
} limn_rng;

/* Seed a generator from (seed, stream) as described above. */
LIMN_API void limn_rng_init(limn_rng *rng, uint64_t seed, uint64_t stream);
/* Next 64 random bits. */
LIMN_API uint64_t limn_rng_u64(limn_rng *rng);
/* Uniform double in [0, 1) with 53 random bits. */
LIMN_API double limn_rng_uniform(limn_rng *rng);
/* Uniform integer in [0, n) without bias (Lemire's multiply-and-reject for
 * n < 2^32, rejection of the top partial block otherwise); n > 0. */
LIMN_API uint64_t limn_rng_below(limn_rng *rng, uint64_t n);
/* Standard normal by the polar Box-Muller method (Marsaglia & Bray 1964). */
LIMN_API double limn_rng_normal(limn_rng *rng);
/* Fisher-Yates shuffle of idx[0..n). */
LIMN_API void limn_rng_shuffle(limn_rng *rng, size_t *idx, size_t n);

/* The shortest decimal ("%.*g", 1..9 digits for a float, 1..17 for a double) that
 * reads back as exactly v; NaN and the infinities as "NaN", "Infinity" and
 * "-Infinity". 32 bytes hold any value. What limn writes numbers with. */
LIMN_API void limn_format_float(char *buf, size_t cap, float v);
LIMN_API void limn_format_double(char *buf, size_t cap, double v);

/* SHA-256 of bytes, as 64 lower-case hex digits and a NUL (what explanation
 * manifests record of model files). */
LIMN_API void limn_sha256(const void *data, size_t len, char hex[65]);
/* SHA-256 of a file's bytes. */
LIMN_API int limn_sha256_file(limn_ctx *ctx, const char *path, char hex[65]);

#ifdef __cplusplus
}
#endif
#endif

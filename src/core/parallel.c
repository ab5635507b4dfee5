/* Parallel loops over independent items with per-thread scratch. */
#include "internal.h"
#ifdef _OPENMP
#include <omp.h>
#endif

/* The threads a loop of n items runs on. */
static int loop_threads(const limn_ctx *ctx, size_t n) {
  int nt = limn__threads(ctx);
  return (size_t)nt > n ? (int)n : nt;
}

/* Each thread's scratch on its own cache lines. */
static size_t per_thread(size_t scratch_bytes) { return scratch_bytes ? (scratch_bytes + 63) / 64 * 64 : 64; }

size_t limn__parallel_scratch(const limn_ctx *ctx, size_t n, size_t scratch_bytes) {
  return (size_t)(n ? loop_threads(ctx, n) : 1) * per_thread(scratch_bytes);
}

int limn__parallel_for_in(limn_ctx *ctx, size_t n, size_t scratch_bytes, unsigned char *scratch,
                          limn__item_fn fn, void *arg) {
  if (n == 0)
    return LIMN_OK;
  int nt = loop_threads(ctx, n);
  size_t per = per_thread(scratch_bytes);
  int failed = 0;
#ifdef _OPENMP
#pragma omp parallel for num_threads(nt) schedule(static) if (nt > 1) reduction(| : failed)
#endif
  for (size_t i = 0; i < n; i++) {
    int t = 0;
#ifdef _OPENMP
    t = omp_get_thread_num();
#endif
    failed |= fn(arg, i, scratch + (size_t)t * per) != 0;
  }
  (void)nt;
  return failed;
}

int limn__parallel_for(limn_ctx *ctx, size_t n, size_t scratch_bytes, limn__item_fn fn, void *arg) {
  if (n == 0)
    return LIMN_OK;
  unsigned char *scratch = limn__alloc_array(ctx, 1, limn__parallel_scratch(ctx, n, scratch_bytes));
  if (!scratch)
    return LIMN_ENOMEM;
  int failed = limn__parallel_for_in(ctx, n, scratch_bytes, scratch, fn, arg);
  limn__free(ctx, scratch);
  return failed;
}

/* Parallel loops over independent items with per-thread scratch. */
#include "internal.h"
#ifdef _OPENMP
#include <omp.h>
#endif

int limn__parallel_for(limn_ctx *ctx, size_t n, size_t scratch_bytes, limn__item_fn fn, void *arg) {
  if (n == 0)
    return LIMN_OK;
  int nt = limn__threads(ctx);
  if ((size_t)nt > n)
    nt = (int)n;
  size_t per = (scratch_bytes + 63) / 64 * 64; /* each thread's scratch on its own cache lines */
  unsigned char *scratch = limn__alloc_array(ctx, (size_t)nt, per ? per : 64);
  if (!scratch)
    return LIMN_ENOMEM;
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
  limn__free(ctx, scratch);
  return failed;
}

/* limn/metrics.h: how well a model fits a labelled dataset. */
#ifndef LIMN_METRICS_H
#define LIMN_METRICS_H

#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct limn_metrics {
  limn_task task;
  size_t nrows;
  /* classification */
  size_t nclasses;
  double accuracy;
  double log_loss;   /* mean -log p(true class), p clipped to [1e-15, 1 - 1e-15] */
  size_t *confusion; /* (nclasses, nclasses): row = true class, column = predicted */
  /* regression */
  double r2; /* 1 - SS_res / SS_tot */
  double rmse;
  double mae;
} limn_metrics;

/* Evaluate `m` on `ds` (which must have a target matching the model's task and
 * classes). `out->confusion` is allocated with the context's allocator: release
 * with limn_metrics_clear. */
LIMN_API int limn_metrics_evaluate(limn_ctx *ctx, const limn_model *m, const limn_dataset *ds,
                                   limn_metrics *out);
LIMN_API void limn_metrics_clear(limn_ctx *ctx, limn_metrics *mt);

#ifdef __cplusplus
}
#endif
#endif

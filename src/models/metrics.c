/* Evaluation: accuracy, log-loss, confusion matrix; R^2, RMSE, MAE. */
#include "model_internal.h"
#include <math.h>

void limn_metrics_clear(limn_ctx *ctx, limn_metrics *mt) {
  limn__free(ctx, mt->confusion);
  memset(mt, 0, sizeof *mt);
}

static void classification(const float *prob, const float *y, size_t n, size_t k, limn_metrics *mt) {
  size_t right = 0;
  double ll = 0.0;
  for (size_t i = 0; i < n; i++) {
    const float *p = prob + i * k;
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
      if (p[c] > p[best])
        best = c;
    size_t t = (size_t)y[i];
    right += best == t;
    mt->confusion[t * k + best]++;
    double pt = fmin(fmax((double)p[t], 1e-15), 1.0 - 1e-15);
    ll -= log(pt);
  }
  mt->accuracy = (double)right / (double)n;
  mt->log_loss = ll / (double)n;
}

static void regression(const float *pred, const float *y, size_t n, limn_metrics *mt) {
  double mean = 0.0, ssr = 0.0, sst = 0.0, sae = 0.0;
  for (size_t i = 0; i < n; i++)
    mean += y[i];
  mean /= (double)n;
  for (size_t i = 0; i < n; i++) {
    double e = (double)y[i] - pred[i];
    ssr += e * e;
    sae += fabs(e);
    sst += ((double)y[i] - mean) * ((double)y[i] - mean);
  }
  mt->r2 = sst > 0 ? 1.0 - ssr / sst : NAN;
  mt->rmse = sqrt(ssr / (double)n);
  mt->mae = sae / (double)n;
}

int limn_metrics_evaluate(limn_ctx *ctx, const limn_model *m, const limn_dataset *ds, limn_metrics *mt) {
  memset(mt, 0, sizeof *mt);
  const float *y = limn_dataset_y(ds);
  size_t n = limn_dataset_nrows(ds), k = m->noutputs;
  if (!y)
    return limn__err(ctx, LIMN_EINVAL, "evaluation needs a dataset with the target column");
  if (limn_dataset_nfeatures(ds) != m->nfeatures)
    return limn__err(ctx, LIMN_ESHAPE, "dataset has %zu features, the model %zu", limn_dataset_nfeatures(ds),
                     m->nfeatures);
  limn_task task = limn_schema_task(limn_dataset_schema(ds));
  if (task != limn_model_task(m))
    return limn__err(ctx, LIMN_EINVAL, "the dataset's target and the model's task differ");
  if (task == LIMN_TASK_CLASSIFICATION && limn_schema_nclasses(limn_dataset_schema(ds)) != k)
    return limn__err(ctx, LIMN_ESHAPE, "dataset has %zu classes, the model %zu outputs",
                     limn_schema_nclasses(limn_dataset_schema(ds)), k);
  float *out = limn__alloc_array(ctx, n, k * sizeof(float));
  if (!out)
    return LIMN_ENOMEM;
  int rc = limn_model_predict(ctx, m, limn_dataset_x(ds), n, out);
  if (rc == LIMN_OK) {
    mt->task = task;
    mt->nrows = n;
    if (task == LIMN_TASK_CLASSIFICATION) {
      mt->nclasses = k;
      mt->confusion = limn__calloc(ctx, k * k, sizeof(size_t));
      if (!mt->confusion)
        rc = LIMN_ENOMEM;
      else
        classification(out, y, n, k, mt);
    } else {
      regression(out, y, n, mt);
    }
  }
  limn__free(ctx, out);
  return rc;
}

/* MLP training: Glorot init, Adam on minibatches, L2, early stopping. */
#include "model_internal.h"
#include "../linalg/linalg.h"
#include <math.h>

static const size_t default_hidden[2] = {64, 32};

limn_mlp_opts limn_mlp_opts_default(void) {
  limn_mlp_opts o;
  memset(&o, 0, sizeof o);
  o.hidden = default_hidden;
  o.nhidden = 2;
  o.activation = LIMN_ACT_RELU;
  o.max_epochs = 200;
  o.batch_size = 32;
  o.learning_rate = 1e-3;
  o.beta1 = 0.9;
  o.beta2 = 0.999;
  o.eps = 1e-8;
  o.l2 = 1e-4;
  o.valid_fraction = 0.1;
  o.patience = 10;
  o.tol = 1e-4;
  o.seed = 0;
  return o;
}

static int check_opts(limn_ctx *ctx, const limn_mlp_opts *o) {
  if (o->nhidden > 62 || (o->nhidden && !o->hidden))
    return limn__err(ctx, LIMN_EINVAL, "hidden layers: give 0 to 62 widths");
  for (size_t l = 0; l < o->nhidden; l++)
    if (o->hidden[l] < 1 || o->hidden[l] > 65536)
      return limn__err(ctx, LIMN_EINVAL, "hidden width %zu must be in 1..65536", o->hidden[l]);
  if (o->activation > LIMN_ACT_IDENTITY)
    return limn__err(ctx, LIMN_EINVAL, "activation must be relu, tanh, logistic or identity");
  if (o->max_epochs < 1 || o->batch_size < 1)
    return limn__err(ctx, LIMN_EINVAL, "epochs and batch size must be >= 1");
  if (!(o->learning_rate > 0) || !(o->l2 >= 0) || !(o->beta1 >= 0 && o->beta1 < 1) ||
      !(o->beta2 >= 0 && o->beta2 < 1) || !(o->eps > 0) || !(o->tol >= 0))
    return limn__err(ctx, LIMN_EINVAL, "learning rate, eps > 0; l2, tol >= 0; betas in [0, 1)");
  if (!(o->valid_fraction >= 0 && o->valid_fraction < 1))
    return limn__err(ctx, LIMN_EINVAL, "validation fraction must be in [0, 1), got %g", o->valid_fraction);
  return LIMN_OK;
}

/* Everything one training run holds. */
typedef struct trainer {
  limn_ctx *ctx;
  limn_model *m;
  limn__mlp *p;
  limn_kernel k;
  size_t nparams;                 /* floats in all W and b */
  float *grad, *mom, *vel, *flat; /* (nparams) each */
  float **gW, **gb;               /* views into grad */
  float *acts_buf, *acts[66], *dz, *tmp;
  float *h0; /* (n, nslots) preprocessed rows */
  float *t;  /* (n) targets: class code, or standardised value */
  size_t n, batch;
} trainer;

/* Copy all parameters to/from a flat vector. */
static void params_copy(trainer *tr, float *flat, int to_flat) {
  size_t off = 0;
  for (size_t l = 0; l < tr->p->nlayers; l++) {
    size_t nw = tr->p->width[l] * tr->p->width[l + 1], nb = tr->p->width[l + 1];
    float *w = tr->p->W[l], *b = tr->p->b[l];
    if (to_flat) {
      memcpy(flat + off, w, nw * sizeof *w);
      memcpy(flat + off + nw, b, nb * sizeof *b);
    } else {
      memcpy(w, flat + off, nw * sizeof *w);
      memcpy(b, flat + off + nw, nb * sizeof *b);
    }
    off += nw + nb;
  }
}

/* Glorot & Bengio (2010) uniform init: W ~ U(-a, a), a = sqrt(f * 6 / (in + out)),
 * f = 2 for logistic units (as scikit-learn), else 1; biases 0. Layer l draws from
 * stream 1000 + l. */
static void glorot_init(trainer *tr, uint64_t seed) {
  const limn__mlp *p = tr->p;
  for (size_t l = 0; l < p->nlayers; l++) {
    size_t in = p->width[l], out = p->width[l + 1];
    int logistic = (l + 1 < p->nlayers ? p->hidden : p->output) == LIMN_ACT_LOGISTIC;
    double a = sqrt((logistic ? 2.0 : 1.0) * 6.0 / (double)(in + out));
    limn_rng r;
    limn_rng_init(&r, seed, 1000 + l);
    for (size_t i = 0; i < in * out; i++)
      p->W[l][i] = (float)((2.0 * limn_rng_uniform(&r) - 1.0) * a);
    memset(p->b[l], 0, out * sizeof(float));
  }
}

/* Summed loss of nb rows given the output pre-activations z; with dz, also the
 * gradient of (summed loss / div) with respect to z. Cross-entropy for
 * classification, half squared error (standardised target) for regression. */
static double loss_and_grad(trainer *tr, const float *z, const size_t *rows, size_t nb, float *dz,
                            size_t div) {
  const limn__mlp *p = tr->p;
  size_t u = p->width[p->nlayers];
  double loss = 0.0;
  float *prob = tr->tmp; /* (>= u) scratch when no gradient is wanted */
  for (size_t i = 0; i < nb; i++) {
    const float *zi = z + i * u;
    float y = tr->t[rows[i]];
    float *d = dz ? dz + i * u : NULL;
    if (p->output == LIMN_ACT_LOGISTIC) {
      float s = 1.0f / (1.0f + expf(-zi[0]));
      double pc = y > 0.5f ? s : 1.0 - s;
      loss -= log(fmax(fmin(pc, 1.0 - 1e-15), 1e-15));
      if (d)
        d[0] = (s - y) / (float)div;
    } else if (p->output == LIMN_ACT_SOFTMAX) {
      limn__mlp_output(tr->m, zi, 1, LIMN_SPACE_OUTPUT, d ? d : prob);
      const float *pr = d ? d : prob;
      loss -= log(fmax(fmin((double)pr[(size_t)y], 1.0 - 1e-15), 1e-15));
      if (d) {
        for (size_t c = 0; c < u; c++)
          d[c] = (d[c] - (c == (size_t)y ? 1.0f : 0.0f)) / (float)div;
      }
    } else {
      double e = (double)zi[0] - y;
      loss += 0.5 * e * e;
      if (d)
        d[0] = (float)e / (float)div;
    }
  }
  return loss;
}

/* Gather rows into acts[0] and run the forward pass on nb rows. */
static void forward_rows(trainer *tr, const size_t *rows, size_t nb) {
  size_t ns = tr->m->nslots;
  for (size_t i = 0; i < nb; i++)
    memcpy(tr->acts[0] + i * ns, tr->h0 + rows[i] * ns, ns * sizeof(float));
  limn__mlp_forward(tr->k, tr->p, nb, tr->acts, 0);
}

/* One Adam step (Kingma & Ba 2015, Alg. 1, with the bias corrections folded into the
 * step size as scikit-learn does) on the flat parameters. */
static void adam_step(trainer *tr, const limn_mlp_opts *o, size_t step) {
  double b1 = o->beta1, b2 = o->beta2;
  double lr = o->learning_rate * sqrt(1.0 - pow(b2, (double)step)) / (1.0 - pow(b1, (double)step));
  float *flat = tr->flat;
  params_copy(tr, flat, 1);
  for (size_t i = 0; i < tr->nparams; i++) {
    double g = tr->grad[i];
    tr->mom[i] = (float)(b1 * tr->mom[i] + (1.0 - b1) * g);
    tr->vel[i] = (float)(b2 * tr->vel[i] + (1.0 - b2) * g * g);
    flat[i] = (float)(flat[i] - lr * tr->mom[i] / (sqrt((double)tr->vel[i]) + o->eps));
  }
  params_copy(tr, flat, 0);
}

/* One minibatch: forward, loss, backward, L2, Adam. Returns the batch loss sum. */
static double train_batch(trainer *tr, const limn_mlp_opts *o, const size_t *rows, size_t nb, size_t step) {
  const limn__mlp *p = tr->p;
  memset(tr->grad, 0, tr->nparams * sizeof *tr->grad);
  forward_rows(tr, rows, nb);
  double loss = loss_and_grad(tr, tr->acts[p->nlayers], rows, nb, tr->dz, nb);
  limn__mlp_backward(tr->k, p, nb, tr->acts, tr->dz, tr->tmp, tr->gW, tr->gb, NULL);
  for (size_t l = 0; l < p->nlayers; l++)
    for (size_t i = 0; i < p->width[l] * p->width[l + 1]; i++)
      tr->gW[l][i] += (float)(o->l2 * p->W[l][i] / (double)nb);
  adam_step(tr, o, step);
  return loss;
}

/* Mean loss over rows (no gradient), in chunks of the batch buffer. */
static double eval_loss(trainer *tr, const size_t *rows, size_t n) {
  double loss = 0.0;
  for (size_t i = 0; i < n; i += tr->batch) {
    size_t nb = n - i < tr->batch ? n - i : tr->batch;
    forward_rows(tr, rows + i, nb);
    loss += loss_and_grad(tr, tr->acts[tr->p->nlayers], rows + i, nb, NULL, nb);
  }
  return loss / (double)n;
}

static int trainer_alloc(trainer *tr, size_t n) {
  limn_ctx *ctx = tr->ctx;
  limn__mlp *p = tr->p;
  tr->nparams = 0;
  for (size_t l = 0; l < p->nlayers; l++)
    tr->nparams += p->width[l] * p->width[l + 1] + p->width[l + 1];
  tr->grad = limn__calloc(ctx, tr->nparams, sizeof(float));
  tr->mom = limn__calloc(ctx, tr->nparams, sizeof(float));
  tr->vel = limn__calloc(ctx, tr->nparams, sizeof(float));
  tr->flat = limn__calloc(ctx, tr->nparams, sizeof(float));
  tr->gW = limn__calloc(ctx, p->nlayers, sizeof(float *));
  tr->gb = limn__calloc(ctx, p->nlayers, sizeof(float *));
  size_t per = 0, mw = limn__mlp_max_width(p);
  for (size_t l = 0; l <= p->nlayers; l++)
    per += p->width[l];
  tr->acts_buf = limn__alloc_array(ctx, tr->batch, (per + 2 * mw) * sizeof(float));
  tr->h0 = limn__alloc_array(ctx, n, tr->m->nslots * sizeof(float));
  tr->t = limn__alloc_array(ctx, n, sizeof(float));
  if (!tr->grad || !tr->mom || !tr->vel || !tr->flat || !tr->gW || !tr->gb || !tr->acts_buf || !tr->h0 ||
      !tr->t)
    return LIMN_ENOMEM;
  float *q = tr->acts_buf;
  for (size_t l = 0; l <= p->nlayers; l++) {
    tr->acts[l] = q;
    q += tr->batch * p->width[l];
  }
  tr->dz = q;
  tr->tmp = q + tr->batch * mw;
  size_t off = 0;
  for (size_t l = 0; l < p->nlayers; l++) {
    tr->gW[l] = tr->grad + off;
    tr->gb[l] = tr->grad + off + p->width[l] * p->width[l + 1];
    off += p->width[l] * p->width[l + 1] + p->width[l + 1];
  }
  return LIMN_OK;
}

static void trainer_free(trainer *tr) {
  limn_ctx *ctx = tr->ctx;
  limn__free(ctx, tr->grad);
  limn__free(ctx, tr->mom);
  limn__free(ctx, tr->vel);
  limn__free(ctx, tr->flat);
  limn__free(ctx, tr->gW);
  limn__free(ctx, tr->gb);
  limn__free(ctx, tr->acts_buf);
  limn__free(ctx, tr->h0);
  limn__free(ctx, tr->t);
}

/* Build the untrained network for the dataset: widths, output, standardisation. */
static int build_model(limn_ctx *ctx, const limn_dataset *ds, const limn_mlp_opts *o, const limn_stats *st,
                       limn_model **out) {
  const limn_schema *s = limn_dataset_schema(ds);
  size_t width[65], ns = 0;
  for (size_t j = 0; j < limn_schema_nfeatures(s); j++)
    ns += limn_schema_feature_kind(s, j) == LIMN_COL_CATEGORICAL ? limn_schema_ncategories(s, j) : 1;
  width[0] = ns;
  for (size_t l = 0; l < o->nhidden; l++)
    width[l + 1] = o->hidden[l];
  limn_activation outact = LIMN_ACT_IDENTITY;
  size_t u = 1;
  if (limn_schema_task(s) == LIMN_TASK_CLASSIFICATION) {
    size_t k = limn_schema_nclasses(s);
    outact = k == 2 ? LIMN_ACT_LOGISTIC : LIMN_ACT_SOFTMAX;
    u = k == 2 ? 1 : k;
  }
  width[o->nhidden + 1] = u;
  LIMN_TRY(limn__mlp_new(ctx, s, o->nhidden + 1, width, o->activation, outact, out));
  limn__mlp *p = (*out)->impl;
  for (size_t j = 0; j < limn_schema_nfeatures(s); j++) {
    if (limn_schema_feature_kind(s, j) != LIMN_COL_NUMERIC)
      continue;
    p->mean[j] = (float)limn_stats_mean(st, j);
    float sd = (float)limn_stats_std(st, j);
    p->std[j] = sd > 0.0f ? sd : 1.0f;
  }
  return LIMN_OK;
}

/* Targets: class codes, or standardised values (shift and scale on the model). */
static void set_targets(trainer *tr, const limn_dataset *ds) {
  const float *y = limn_dataset_y(ds);
  size_t n = limn_dataset_nrows(ds);
  if (tr->p->output != LIMN_ACT_IDENTITY) {
    memcpy(tr->t, y, n * sizeof *y);
    return;
  }
  double sum = 0.0, ss = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += y[i];
  double mean = sum / (double)n;
  for (size_t i = 0; i < n; i++)
    ss += (y[i] - mean) * (y[i] - mean);
  double sd = sqrt(ss / (double)n);
  tr->p->y_shift = mean;
  tr->p->y_scale = sd > 0 ? sd : 1.0;
  for (size_t i = 0; i < n; i++)
    tr->t[i] = (float)((y[i] - mean) / tr->p->y_scale);
}

/* Split row indices into training and validation sets. */
static int split_valid(trainer *tr, const limn_dataset *ds, const limn_mlp_opts *o, size_t *fit, size_t *nfit,
                       size_t *val, size_t *nval) {
  size_t n = limn_dataset_nrows(ds);
  *nfit = *nval = 0;
  if (o->valid_fraction <= 0.0 || n < 10) {
    for (size_t i = 0; i < n; i++)
      fit[(*nfit)++] = i;
    return LIMN_OK;
  }
  unsigned char *is_val = limn__malloc(tr->ctx, n);
  if (!is_val)
    return LIMN_ENOMEM;
  const limn_schema *s = limn_dataset_schema(ds);
  const char *strat = limn_schema_task(s) == LIMN_TASK_CLASSIFICATION ? limn_schema_target_name(s) : NULL;
  int rc = limn_dataset_split_rows(tr->ctx, ds, o->valid_fraction, o->seed, strat, is_val);
  for (size_t i = 0; i < n && rc == LIMN_OK; i++) {
    if (is_val[i])
      val[(*nval)++] = i;
    else
      fit[(*nfit)++] = i;
  }
  limn__free(tr->ctx, is_val);
  return rc;
}

/* The epoch loop with early stopping; the best parameters end in the model. */
static int epochs(trainer *tr, const limn_mlp_opts *o, size_t *fit, size_t nfit, const size_t *val,
                  size_t nval) {
  limn_ctx *ctx = tr->ctx;
  limn_mlp_info *info = &tr->p->info;
  float *bestp = limn__alloc_array(ctx, tr->nparams, sizeof(float));
  if (!bestp)
    return LIMN_ENOMEM;
  limn_rng shuf;
  limn_rng_init(&shuf, o->seed, 1);
  double best = INFINITY;
  size_t bad = 0, step = 0, steps_per_epoch = (nfit + tr->batch - 1) / tr->batch;
  params_copy(tr, bestp, 1);
  for (size_t e = 1; e <= o->max_epochs; e++) {
    if (limn__canceled(ctx)) {
      limn__free(ctx, bestp);
      return limn__err(ctx, LIMN_ECANCELED, "training canceled at epoch %zu", e);
    }
    limn_rng_shuffle(&shuf, fit, nfit);
    double tl = 0.0;
    for (size_t i = 0; i < nfit; i += tr->batch) {
      size_t nb = nfit - i < tr->batch ? nfit - i : tr->batch;
      tl += train_batch(tr, o, fit + i, nb, ++step);
    }
    tl /= (double)nfit;
    double watch = nval ? eval_loss(tr, val, nval) : tl;
    if (!isfinite(watch)) {
      limn__free(ctx, bestp);
      return limn__err(ctx, LIMN_ENONFINITE, "training diverged at epoch %zu (lower the learning rate)", e);
    }
    info->epochs_run = e;
    if (watch < best - o->tol) {
      best = watch;
      bad = 0;
      info->best_epoch = e;
      info->train_loss = tl;
      info->valid_loss = nval ? watch : NAN;
      params_copy(tr, bestp, 1);
    } else if (++bad >= o->patience && bad * steps_per_epoch >= 200) {
      /* patience counts epochs, but at least 200 optimiser steps: on a small data set
       * a few epochs of a noisy validation loss say little */
      limn__progress(ctx, "epochs", o->max_epochs, o->max_epochs);
      break;
    }
    limn__progress(ctx, "epochs", e, o->max_epochs);
  }
  /* the loss can stay finite while a weight overflows (a saturated unit): a model with
   * a non-finite weight could not be loaded again, so it is not returned */
  for (size_t i = 0; i < tr->nparams; i++)
    if (!isfinite(bestp[i])) {
      limn__free(ctx, bestp);
      return limn__err(ctx, LIMN_ENONFINITE,
                       "training diverged: parameter %zu of %zu is not finite (lower the learning rate, or "
                       "rescale the columns)",
                       i, tr->nparams);
    }
  params_copy(tr, bestp, 0);
  limn__free(ctx, bestp);
  return LIMN_OK;
}

int limn_mlp_train(limn_ctx *ctx, const limn_dataset *ds, const limn_mlp_opts *opts, limn_model **out) {
  *out = NULL;
  limn_mlp_opts dflt = limn_mlp_opts_default();
  const limn_mlp_opts *o = opts ? opts : &dflt;
  LIMN_TRY(check_opts(ctx, o));
  if (!limn_dataset_y(ds))
    return limn__err(ctx, LIMN_EINVAL, "training needs a dataset with a target column");
  size_t n = limn_dataset_nrows(ds);
  trainer tr;
  memset(&tr, 0, sizeof tr);
  tr.ctx = ctx;
  tr.k = ctx->kernel;
  tr.batch = o->batch_size < n ? o->batch_size : n;
  limn_stats *st = NULL;
  size_t *fit = NULL, *val = NULL, nfit, nval;
  int rc;
  LIMN_CHECK(limn_stats_compute(ctx, ds, &st));
  LIMN_CHECK(build_model(ctx, ds, o, st, &tr.m));
  tr.p = tr.m->impl;
  tr.m->stats = st;
  st = NULL;
  LIMN_CHECK(trainer_alloc(&tr, n));
  limn__mlp_preprocess(tr.m, limn_dataset_x(ds), n, tr.h0);
  set_targets(&tr, ds);
  fit = limn__alloc_array(ctx, n, sizeof *fit);
  val = limn__alloc_array(ctx, n, sizeof *val);
  LIMN_FAIL_IF(!fit || !val, ctx, LIMN_ENOMEM, "out of memory");
  LIMN_CHECK(split_valid(&tr, ds, o, fit, &nfit, val, &nval));
  glorot_init(&tr, o->seed);
  LIMN_CHECK(epochs(&tr, o, fit, nfit, val, nval));
  limn__mlp_transpose(tr.p);
  tr.p->seed = o->seed;
  tr.p->batch_size = o->batch_size;
  tr.p->learning_rate = o->learning_rate;
  tr.p->l2 = o->l2;
  tr.p->valid_fraction = o->valid_fraction;
  *out = tr.m;
  tr.m = NULL;
fail:
  limn_stats_free(st);
  limn__free(ctx, fit);
  limn__free(ctx, val);
  trainer_free(&tr);
  limn_model_free(tr.m);
  return rc;
}

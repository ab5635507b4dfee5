/* limn.h: explain the predictions of machine-learning models.
 *
 * liblimn is a C11 library. Include this header and link with -llimn (pkg-config
 * limn). Modules:
 *   limn/core.h     context, status codes, allocator, deterministic RNG
 *   limn/data.h     schemas, CSV/ARFF datasets, statistics, splits
 *   limn/model.h    the model interface: predict, vjp, save/load, callbacks
 *   limn/mlp.h      limn's MLP: build from weights, train
 *   limn/metrics.h  accuracy, log-loss, confusion matrix, R^2
 *   limn/explain.h  explanations: gradient, saliency, gradient x input, IG, SmoothGrad, LIME
 *   limn/embed.h    t-SNE maps
 *   limn/image.h    PNG/JPEG images: decode, resize, model input rows, overlays
 *   limn/report.h   rendering: text, JSON, CSV, SVG, the HTML report, the manifest
 *
 * Embedding in 20 lines (error checks shortened):
 *
 *   #include <limn.h>
 *   #include <stdio.h>
 *   int main(void) {
 *     limn_ctx *ctx = limn_ctx_create(NULL);
 *     limn_read_opts ro = limn_read_opts_default();
 *     ro.target = "diagnosis";
 *     limn_dataset *ds = NULL;
 *     limn_model *m = NULL;
 *     if (limn_dataset_read(ctx, "data/breast_cancer.csv", &ro, &ds) ||
 *         limn_mlp_train(ctx, ds, NULL, &m)) {
 *       fprintf(stderr, "error: %s\n", limn_ctx_errmsg(ctx));
 *       return 1;
 *     }
 *     float p[2];
 *     limn_model_predict(ctx, m, limn_dataset_x(ds), 1, p);
 *     printf("P(%s) = %.3f\n", limn_model_output_name(m, 0), p[0]);
 *     limn_model_free(m); limn_dataset_free(ds); limn_ctx_free(ctx);
 *     return 0;
 *   }
 *
 * Rules: every call that can fail returns 0 or a negative LIMN_E* status and leaves
 * a message on the context; objects come from create/load/read and go with one
 * free (NULL is fine); the library copies what it is given unless a comment says
 * "borrowed"; results are deterministic for a given seed.
 */
#ifndef LIMN_H
#define LIMN_H

#include "limn/core.h"
#include "limn/data.h"
#include "limn/model.h"
#include "limn/mlp.h"
#include "limn/metrics.h"
#include "limn/explain.h"
#include "limn/embed.h"
#include "limn/image.h"
#include "limn/text.h"
#include "limn/report.h"

#endif

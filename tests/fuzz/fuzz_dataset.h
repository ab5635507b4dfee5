/* The body shared by the CSV and ARFF fuzz targets: parse arbitrary bytes with no
 * target, with the first column as target, with the resulting schema, and as raw
 * text with a subset. It must never crash, leak or read out of bounds. */
#ifndef LIMN_FUZZ_DATASET_H
#define LIMN_FUZZ_DATASET_H

#include "limn.h"
#include <stdint.h>

typedef int (*fuzz_parse_fn)(limn_ctx *, const char *, size_t, const char *, const limn_read_opts *,
                             limn_dataset **);

static void fuzz_dataset(fuzz_parse_fn parse, const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  const char *buf = (const char *)data;
  limn_read_opts ro = limn_read_opts_default();
  limn_dataset *ds = NULL, *again = NULL;
  ro.max_field_bytes = 4096;
  if (parse(ctx, buf, size, "fuzz", &ro, &ds) == LIMN_OK) {
    limn_stats *st = NULL;
    if (limn_stats_compute(ctx, ds, &st) == LIMN_OK)
      limn_stats_free(st);
    ro.target = limn_schema_feature_name(limn_dataset_schema(ds), 0);
    if (parse(ctx, buf, size, "fuzz", &ro, &again) == LIMN_OK) {
      limn_read_opts r2 = limn_read_opts_default();
      limn_dataset *third = NULL;
      r2.schema = limn_dataset_schema(again);
      if (parse(ctx, buf, size, "fuzz", &r2, &third) == LIMN_OK)
        limn_dataset_free(third);
      limn_dataset_free(again);
    }
    limn_dataset_free(ds);
  }
  ro = limn_read_opts_default();
  ro.as_text = 1;
  ro.keep_text = 1;
  if (parse(ctx, buf, size, "fuzz", &ro, &ds) == LIMN_OK) {
    size_t rows[2] = {0, 0};
    limn_dataset *sub = NULL;
    if (limn_dataset_subset(ctx, ds, rows, 2, &sub) == LIMN_OK)
      limn_dataset_free(sub);
    limn_dataset_free(ds);
  }
  limn_ctx_free(ctx);
}

#endif

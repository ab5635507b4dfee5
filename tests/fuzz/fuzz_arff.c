/* Fuzz target: the ARFF reader on arbitrary bytes, with and without a target and a
 * schema. It must never crash, leak or read out of bounds. */
#include "limn.h"
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_read_opts ro = limn_read_opts_default();
  limn_dataset *ds = NULL, *again = NULL;
  ro.max_field_bytes = 4096;
  if (limn_dataset_parse_arff(ctx, (const char *)data, size, "fuzz", &ro, &ds) == LIMN_OK) {
    const limn_schema *s = limn_dataset_schema(ds);
    limn_stats *st = NULL;
    if (limn_stats_compute(ctx, ds, &st) == LIMN_OK)
      limn_stats_free(st);
    /* read again with the first column as target, then with the schema */
    ro.target = limn_schema_feature_name(s, 0);
    if (limn_dataset_parse_arff(ctx, (const char *)data, size, "fuzz", &ro, &again) == LIMN_OK) {
      limn_read_opts r2 = limn_read_opts_default();
      limn_dataset *third = NULL;
      r2.schema = limn_dataset_schema(again);
      if (limn_dataset_parse_arff(ctx, (const char *)data, size, "fuzz", &r2, &third) == LIMN_OK)
        limn_dataset_free(third);
      limn_dataset_free(again);
    }
    limn_dataset_free(ds);
  }
  ro = limn_read_opts_default();
  ro.as_text = 1;
  ro.keep_text = 1;
  if (limn_dataset_parse_arff(ctx, (const char *)data, size, "fuzz", &ro, &ds) == LIMN_OK) {
    size_t rows[2] = {0, 0};
    limn_dataset *sub = NULL;
    if (limn_dataset_subset(ctx, ds, rows, 2, &sub) == LIMN_OK)
      limn_dataset_free(sub);
    limn_dataset_free(ds);
  }
  limn_ctx_free(ctx);
  return 0;
}

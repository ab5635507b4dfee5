/* Fuzz target: the ARFF reader (see fuzz_dataset.h). */
#include "fuzz_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fuzz_dataset(limn_dataset_parse_arff, data, size);
  return 0;
}

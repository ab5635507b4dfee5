/* Fuzz target: the CSV stream (limn_stream_*), read in blocks of 1, 2 and 1000 rows
 * from chunks of 1, 3 and 64 bytes, and with every other block skipped. Besides never crashing, leaking or
 * reading out of bounds, a stream of a file the whole-file reader accepts must give exactly its rows (values
 * and lines) when typed by the same schema: any difference aborts. */
#define _GNU_SOURCE
#include "limn.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read the stream of `path` to its end; with `whole`, compare each block with it.
 * With skip (and whole), every other block is passed over by limn_stream_skip, the
 * others read with their text kept, which must be the whole read's field for field. */
static void stream_all(limn_ctx *ctx, const char *path, const limn_dataset *whole, size_t chunk, size_t block,
                       int skip) {
  limn_read_opts ro = limn_read_opts_default();
  ro.max_field_bytes = 4096;
  ro.keep_text = skip;
  if (whole)
    ro.schema = limn_dataset_schema(whole);
  limn_stream *s = NULL;
  if (limn_stream_open(ctx, path, &ro, chunk, &s) != LIMN_OK) {
    if (whole)
      abort(); /* the whole reader took this file */
    return;
  }
  size_t d = whole ? limn_dataset_nfeatures(whole) : 0, at = 0;
  for (size_t k = 0;; k++) {
    limn_dataset *b = NULL;
    if (skip && whole && k % 2) {
      size_t n = 0;
      if (limn_stream_skip(ctx, s, block, &n) != LIMN_OK || limn_stream_rows(s) != at + n)
        abort();
      if (!n)
        break;
      at += n;
      continue;
    }
    if (limn_stream_read(ctx, s, block, &b) != LIMN_OK) {
      if (whole)
        abort();
      break;
    }
    if (!b)
      break;
    size_t n = limn_dataset_nrows(b);
    if (whole) {
      if (at + n > limn_dataset_nrows(whole) || limn_dataset_nfeatures(b) != d ||
          memcmp(limn_dataset_x(b), limn_dataset_x(whole) + at * d, n * d * sizeof(float)))
        abort();
      const float *yb = limn_dataset_y(b), *yw = limn_dataset_y(whole);
      if (!yb != !yw || (yb && memcmp(yb, yw + at, n * sizeof *yb)))
        abort();
      for (size_t i = 0; i < n; i++)
        if (limn_dataset_row_line(b, i) != limn_dataset_row_line(whole, at + i))
          abort();
      for (size_t i = 0; skip && i < n; i++)
        for (long c = 0;; c++) {
          const char *t = limn_dataset_text(b, i, c), *u = limn_dataset_text(whole, at + i, c);
          if (!t != !u || (t && strcmp(t, u)))
            abort();
          if (!t)
            break;
        }
    }
    at += n;
    limn_dataset_free(b);
  }
  if (whole && at != limn_dataset_nrows(whole))
    abort();
  limn_stream_close(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int fd = memfd_create("fuzz.csv", 0);
  if (fd < 0)
    return 0;
  if (size && write(fd, data, size) != (ssize_t)size) {
    close(fd);
    return 0;
  }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  limn_ctx *ctx = limn_ctx_create(NULL);
  limn_read_opts ro = limn_read_opts_default();
  ro.max_field_bytes = 4096;
  ro.keep_text = 1;
  limn_dataset *whole = NULL;
  if (limn_dataset_parse_csv(ctx, (const char *)data, size, "fuzz", &ro, &whole) != LIMN_OK)
    whole = NULL;
  static const size_t chunks[] = {1, 3, 64}, blocks[] = {1, 2, 1000};
  for (size_t c = 0; c < 3; c++)
    for (size_t b = 0; b < 3; b++)
      stream_all(ctx, path, whole, chunks[c], blocks[b], 0);
  if (whole)
    stream_all(ctx, path, whole, 3, 2, 1);
  if (!whole)
    stream_all(ctx, path, NULL, 0, 7, 0); /* the first block's types for the others */
  limn_dataset_free(whole);
  limn_ctx_free(ctx);
  close(fd);
  return 0;
}

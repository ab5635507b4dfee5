/* The HTML report: prediction, LIME, Integrated Gradients, reason codes and the map
 * for chosen rows, in one self-contained page (docs/report.md). */
#ifndef LIMN_CLI_REPORT_H
#define LIMN_CLI_REPORT_H

#include "render.h"

typedef struct report_in {
  limn_ctx *ctx;
  const limn_model *m;
  const char *model_path;      /* shown, and hashed for the provenance */
  const limn_dataset *ds;      /* the rows (read with the model's schema); the map embeds them all */
  const char *data_path;       /* shown and hashed */
  const limn_stats *bg;        /* LIME's background; NULL: the model's statistics */
  const char *background_path; /* or NULL */
  const size_t *rows;          /* explained rows (indices into ds) */
  size_t nrows;
  const char *const *why;   /* per explained row, why it was chosen; NULL: none */
  size_t reasons;           /* reason codes per row (0: none) */
  long favourable;          /* favourable class, or -1: reasons are what raised the predicted class */
  limn_method reasons_from; /* LIMN_METHOD_LIME or LIMN_METHOD_IG */
  size_t top;               /* features in the LIME and IG tables */
  size_t num_samples;       /* LIME */
  uint64_t seed;
  const char *map_space; /* "auto" (last hidden layer, else outputs), "output", "hidden:K" or "none" */
  size_t map_max;        /* rows in the map at most (an even spread, explained rows always in) */
  const char *title;     /* NULL: "limn report" */
  const char *command;   /* the command line that reproduces the page */
} report_in;

/* Compute everything and write the page to out_path ("-": stdout; a file is
 * written whole or not at all). Returns a CLI_* code, errors printed. */
int report_write(const report_in *in, const char *out_path);

#endif

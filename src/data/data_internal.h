/* Internal structures of the data module. */
#ifndef LIMN_DATA_INTERNAL_H
#define LIMN_DATA_INTERNAL_H

#include "../core/internal.h"
#include "strmap.h"

typedef struct limn__column {
  char *name;
  limn_col_kind kind;
  size_t ncats;
  char **cats;
} limn__column;

struct limn_schema {
  size_t nfeatures, cap;
  limn__column *cols;
  char *target; /* NULL: none */
  limn_task task;
  size_t nclasses;
  char **classes;
  limn__strmap index; /* feature name -> column (keys: the columns' own names) */
  int positional;     /* data files' columns match the features by position */
  limn_ctx *ctx;      /* allocator owner */
};

/* The text of a parsed file: header names and field texts. */
typedef struct limn__table {
  size_t ncols, nrows;
  char **names; /* (ncols) point into `text` */
  char *text;   /* all fields, NUL-terminated one after another */
  size_t text_len;
  uint32_t *off; /* (nrows, ncols): offset of each field in text */
  size_t *line;  /* (nrows): 1-based line of the record */
  /* ARFF declarations (NULL for CSV): kind 0 numeric, 1 nominal, with categories */
  int *decl_kind;
  size_t *decl_ncats;
  char ***decl_cats;
  char *decl_text; /* storage of declared names */
} limn__table;

struct limn_dataset {
  limn_ctx *ctx;
  limn_schema *schema;
  size_t n, d;
  float *x;          /* (n, d) */
  float *y;          /* (n) or NULL */
  size_t *line;      /* (n) */
  char *name;        /* file name for messages */
  limn__table *text; /* kept text (rows in dataset order) or NULL */
};

/* One discretisation of a numeric column (LIME): ne edges, ne + 1 bins with the
 * training rows' count, mean and population std. */
typedef struct limn__bins {
  int present;
  size_t ne;
  double *edges, *count, *mean, *std;
  double *data; /* owns all four */
} limn__bins;

#define LIMN__NDISC 3
#define LIMN__DISC_QUARTILE 0
#define LIMN__DISC_DECILE 1
#define LIMN__DISC_ENTROPY 2

struct limn_stats {
  limn_ctx *ctx;
  size_t n, d;
  int *kind;                      /* (d) limn_col_kind */
  double *mean, *std, *min, *max; /* (d) */
  double *pct;                    /* (d, 101) */
  size_t *ncats;                  /* (d) */
  size_t **counts;                /* (d) -> (ncats) */
  limn__bins *bins;               /* (d, LIMN__NDISC), numeric columns only */
  size_t nclasses;                /* labels the entropy bins were grown on (0: none) */
};

/* Bins of column j for discretizer disc, or NULL when absent. */
limn__bins *limn__stats_bins(const limn_stats *st, size_t j, int disc);
/* Number of edges strictly below v (numpy searchsorted, side left). */
size_t limn__bin_of(const double *edges, size_t ne, double v);
int limn__bins_alloc(limn_ctx *ctx, limn__bins *b, size_t ne);
/* All discretisations of numeric column j of x (n, d); entropy bins need labels y. */
int limn__bins_compute(limn_ctx *ctx, limn_stats *st, const float *x, size_t n, size_t d, size_t j,
                       const float *y, size_t nclasses);

#define LIMN__NPCT 101

const char *limn__field(const limn__table *t, size_t r, size_t c);
void limn__table_free(limn_ctx *ctx, limn__table *t);
int limn__csv_parse(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                    limn__table **out);
int limn__arff_parse(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                     limn__table **out);
/* Type a table into a dataset (takes ownership of the table on success when keep). */
int limn__dataset_from_table(limn_ctx *ctx, limn__table *t, const char *name, const limn_read_opts *opts,
                             limn_dataset **out);
/* 1 when limn_dataset_read takes path for ARFF (it ends in ".arff", any case). */
int limn__is_arff_path(const char *path);
/* Check UTF-8 and NUL bytes; message names line and byte column (from first_line). */
int limn__check_text(limn_ctx *ctx, const char *buf, size_t len, const char *name);
int limn__check_text_from(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t first_line);
/* As limn__csv_parse, without the text check; first_line (0: the line after the header)
 * numbers the records after the header, for a block of a stream parsed behind its
 * file's header. */
int limn__csv_parse_from(limn_ctx *ctx, const char *buf, size_t len, const char *name, size_t max_field,
                         size_t first_line, limn__table **out);
/* Parse a whole field as a finite number (surrounding blanks allowed). 1 on success. */
int limn__parse_number(const char *s, double *out);
/* Its fast path alone (csv.c): 1 and the same double when the text is a plain decimal
 * that needs no strtod, else 0 (the text may still be a number). */
int limn__parse_number_fast(const char *s, double *out);
/* limn__parse_number_fast of the text [s, e) of a field inside a larger buffer: the
 * byte at e must not be part of a number (a separator or a line end). */
int limn__parse_number_span(const char *s, const char *e, double *out);
/* Its general path (csv.c): surrounding blanks, then only "0123456789+-.eE" (no hex,
 * inf or nan spellings), read whole by strtod, finite. */
int limn__parse_number_strtod(const char *s, double *out);
/* A stream's plain blocks (stream.c): records without quotes or blank lines, read
 * straight from the bytes, their rows parsed on the context's threads, giving the same
 * dataset as the general reader. The map says, per file column, the schema feature it
 * fills, LIMN__PLAIN_TARGET or LIMN__PLAIN_SKIP; limn__plain_map builds it from a block
 * the general reader took (*map NULL: a layout it does not take). has_y: that block had
 * the target. limn__dataset_from_plain returns LIMN_OK with *out NULL when the block is
 * not plain or holds a field the general reader would treat otherwise (a missing value,
 * an error to report): the caller then reads it the general way. */
#define LIMN__PLAIN_SKIP (-1L)
#define LIMN__PLAIN_TARGET (-2L)
int limn__plain_map(limn_ctx *ctx, const limn__table *t, const limn_schema *s, int has_y, long **map);
int limn__dataset_from_plain(limn_ctx *ctx, const char *name, const limn_schema *s, const long *map,
                             size_t ncols, int has_y, const char *block, size_t len, size_t nrows,
                             size_t first_line, size_t max_field, limn_dataset **out);
/* Serialized-size-checked stats allocation with d features. */
int limn__stats_alloc(limn_ctx *ctx, size_t d, limn_stats **out);

#endif
